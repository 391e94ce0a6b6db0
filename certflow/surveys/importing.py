"""Reading and checking an enterprise's customer list (CSV or XLSX), one row at a time.

Pure except for file reading: no ORM. The file is streamed (csv reader over a decoding text wrapper,
openpyxl in read-only mode), so a list of 200,000 rows never sits in memory at once (decisions V2).
Row numbers are the spreadsheet's own (the header is row 1), so the report points at the cell the
enterprise sees.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from certflow.surveys.domain import normalise_phone

# field → accepted header spellings (compared without spaces, case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "客户姓名", "用户姓名", "name", "customer_name"),
    "phone": ("电话", "手机", "手机号", "联系电话", "电话号码", "phone", "mobile"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail"),
    "category": ("商品类别", "定制商品类别", "类别", "category"),
    "order_id": ("订单号", "订单编号", "order_id", "order", "orderid"),
    "order_date": ("下单日期", "订单日期", "order_date"),
    "delivery_date": ("交付日期", "交货日期", "delivery_date"),
}
REQUIRED_COLUMNS = ("name", "phone", "category", "order_id")
FIELD_ZH = {
    "name": "姓名",
    "phone": "电话",
    "email": "邮箱",
    "category": "商品类别",
    "order_id": "订单号",
    "order_date": "下单日期",
    "delivery_date": "交付日期",
}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M")


class ListFileError(Exception):
    """The file as a whole cannot be read as a customer list (no row-level report is possible)."""

    def __init__(self, zh: str, en: str, code: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en, self.code = zh, en, code


@dataclass(frozen=True)
class RowResult:
    row_number: int
    data: dict  # normalised, JSON-serialisable; empty when rejected
    errors: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        return self.data.get("phone", "")


def _norm_header(value) -> str:
    return re.sub(r"\s+", "", str(value or "")).lstrip("\ufeff").lower()


def map_header(header: list) -> dict[str, int]:
    """Column index of each known field; a missing required column or no date column is refused."""
    lookup = {_norm_header(alias): field for field, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = lookup.get(_norm_header(cell))
        if field and field not in found:
            found[field] = index
    missing = [f for f in REQUIRED_COLUMNS if f not in found]
    if "order_date" not in found and "delivery_date" not in found:
        missing.append("order_date")
    if missing:
        zh = "、".join(FIELD_ZH[f] for f in missing)
        raise ListFileError(
            f"第 1 行（表头）缺少列：{zh}。请使用模板的列名：姓名、电话、邮箱、商品类别、订单号、下单日期、交付日期",
            f"row 1 (the header) lacks the column(s): {', '.join(missing)}; use the template's column names",
            "missing_column",
        )
    return found


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores long digit strings typed as numbers as floats
    return str(value).strip()


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def category_lookup(categories) -> dict[str, str]:
    """Code, Chinese and English names of the scheme's categories → code."""
    lookup: dict[str, str] = {}
    for category in categories:
        for spelling in (category.code, category.name.zh, category.name.en):
            lookup[_norm_header(spelling)] = category.code
    return lookup


def check_row(row_number: int, cells: dict, *, categories: dict[str, str], today: date) -> RowResult:
    errors: list[tuple[str, str]] = []
    data: dict = {}

    name = _cell_text(cells.get("name"))
    if not name:
        errors.append(("姓名为空", "the name is empty"))
    elif len(name) > 100:
        errors.append(("姓名超过 100 个字符", "the name is longer than 100 characters"))
    data["name"] = name

    raw_phone = _cell_text(cells.get("phone"))
    phone = normalise_phone(raw_phone)
    if not raw_phone:
        errors.append(("电话为空", "the phone number is empty"))
    elif phone is None:
        errors.append(
            (
                f"电话“{raw_phone}”不是有效的手机号（11 位，1 开头）或固定电话（区号-号码）",
                f"the phone number '{raw_phone}' is neither a mobile (11 digits from 1) "
                "nor a landline (area code-number)",
            )
        )
    data["phone"] = phone or ""

    email = _cell_text(cells.get("email"))
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        errors.append((f"邮箱“{email}”格式不正确", f"the e-mail address '{email}' is not valid"))
    data["email"] = email

    raw_category = _cell_text(cells.get("category"))
    category = categories.get(_norm_header(raw_category))
    if not raw_category:
        errors.append(("商品类别为空", "the category is empty"))
    elif category is None:
        errors.append(
            (
                f"商品类别“{raw_category}”不在认证范围的类别中",
                f"the category '{raw_category}' is not one of the scheme's categories",
            )
        )
    data["category"] = category or ""

    order_id = _cell_text(cells.get("order_id"))
    if not order_id:
        errors.append(("订单号为空", "the order id is empty"))
    elif len(order_id) > 100:
        errors.append(("订单号超过 100 个字符", "the order id is longer than 100 characters"))
    data["order_id"] = order_id

    dates: dict[str, date | None] = {}
    for field, en in (("order_date", "order date"), ("delivery_date", "delivery date")):
        raw = cells.get(field)
        if _cell_text(raw) == "":
            dates[field] = None
            continue
        try:
            dates[field] = parse_date(raw)
        except ValueError:
            dates[field] = None
            errors.append(
                (
                    f"{FIELD_ZH[field]}“{_cell_text(raw)}”无法识别，请写作 2026-03-15",
                    f"the {en} '{_cell_text(raw)}' is not a date; write it as 2026-03-15",
                )
            )
            continue
        if dates[field] > today:
            errors.append((f"{FIELD_ZH[field]}晚于今天", f"the {en} is in the future"))
    if not any(_cell_text(cells.get(f)) for f in ("order_date", "delivery_date")):
        errors.append(("下单日期和交付日期至少填写一个", "give the order date or the delivery date"))
    if dates.get("order_date") and dates.get("delivery_date") and dates["delivery_date"] < dates["order_date"]:
        errors.append(("交付日期早于下单日期", "the delivery date is before the order date"))
    data.update({k: v.isoformat() if v else "" for k, v in dates.items()})

    if errors:
        return RowResult(row_number, {}, tuple(errors))
    return RowResult(row_number, data, ())


def _is_blank(values) -> bool:
    return all(_cell_text(v) == "" for v in values)


def iter_csv(stream: io.BufferedIOBase, encoding: str) -> Iterator[tuple[int, list]]:
    """(row number, cells) for every line; utf-8-sig also reads plain UTF-8 and drops a BOM."""
    codec = "utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding
    text = io.TextIOWrapper(stream, encoding=codec, newline="")
    # The csv module counts lines; a quoted cell with a newline spans two lines, so number rows by
    # the reader's own line counter to point at the line Excel shows.
    reader = csv.reader(text)
    for cells in reader:
        yield reader.line_num, cells


def iter_xlsx(stream) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged workbook
        raise ListFileError("Excel 文件无法打开", "the Excel workbook cannot be opened", "broken_xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def check_file(stream, *, kind: str, encoding: str, categories: dict[str, str], today: date):
    """Iterate (row_number, RowResult | None); None marks a blank row. Raises ListFileError first."""
    rows = iter_xlsx(stream) if kind == "xlsx" else iter_csv(stream, encoding)
    try:
        header_number, header = next(rows)
    except StopIteration:
        raise ListFileError("文件是空的，没有表头和数据", "the file is empty: no header and no rows", "empty") from None
    except UnicodeDecodeError:
        raise ListFileError(
            "文件的文字编码无法识别，请保存为 UTF-8 或 GBK 编码",
            "the file's text encoding is not recognised; save it as UTF-8 or GBK",
            "encoding",
        ) from None
    columns = map_header(header)
    try:
        for number, cells in rows:
            if _is_blank(cells):
                yield number, None
                continue
            values = {field: cells[i] if i < len(cells) else None for field, i in columns.items()}
            yield number, check_row(number, values, categories=categories, today=today)
    except UnicodeDecodeError:
        raise ListFileError(
            "文件的文字编码无法识别，请保存为 UTF-8 或 GBK 编码",
            "the file's text encoding is not recognised; save it as UTF-8 or GBK",
            "encoding",
        ) from None


def detect_encoding(stream) -> str:
    """UTF-8 (with or without BOM) first, else GB18030 (a superset of GBK); read in chunks."""
    for encoding in ("utf-8", "gb18030"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            stream.seek(0)
            return encoding
        except UnicodeDecodeError:
            continue
    stream.seek(0)
    raise ListFileError(
        "文件的文字编码无法识别，请保存为 UTF-8 或 GBK 编码",
        "the file's text encoding is not recognised; save it as UTF-8 or GBK",
        "encoding",
    )
