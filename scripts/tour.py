"""The README's tour: a few steps of the main browser scenario, scaled down into docs/tour/.

    ./dev e2e -k test_a_certificate_from_application_to_suspension
    .venv/bin/python scripts/tour.py artifacts/e2e/test_a_certificate_from_application_to_suspension

Each picture is the numbered screenshot whose name ends with the step below, cut to the top of the page
(the part a person sees first) and scaled to 960 px wide.
"""

import argparse
import sys
from pathlib import Path

from PIL import Image

# (step name in the scenario, file in docs/tour/, caption for README.md)
STEPS = [
    ("registration-filled", "01-register.png", "企业自助注册（统一社会信用代码校验位当场核对）"),
    ("materials-uploaded", "02-application.png", "申请向导：九项申请材料逐项上传"),
    ("clerk-supplement-requested", "03-supplement.png", "受理员要求补充材料（5 个工作日受理时限）"),
    ("reviewer-completed-with-nonconformity", "04-document-review.png", "文件审核：逐条核查并提出不符合项"),
    ("plan-complete", "05-audit-plan.png", "现场审核策划：日期、审核组、日程，审核通知至少提前 7 个工作日"),
    ("closing-meeting-held", "06-closing-meeting.png", "现场审核末次会议：得分与不符合项"),
    ("customer-questionnaire-satisfied", "07-questionnaire.png", "用户满意度调查：用户用手机打开一次性链接作答"),
    ("survey-results", "08-survey-results.png", "调查结果：满意度与 95 % 置信区间，≥ 80 % 达标"),
    ("decision-批准认证", "09-decision.png", "技术委员会认证决定（三人表决、公正性声明）"),
    ("verify-phone-result-有效", "10-verify-valid.png", "公众在手机上查询证书：有效"),
    ("surveillance-suspended", "11-surveillance-suspended.png", "监督审核发现严重不符合项，证书当即暂停"),
    ("verify-result-暂停", "12-verify-suspended.png", "查询页显示证书暂停"),
]
WIDTH = 960
MAX_HEIGHT = 900


def pick(folder: Path, step: str) -> Path | None:
    matches = sorted(p for p in folder.glob("*.png") if p.stem.split("-", 1)[-1].startswith(step))
    return matches[0] if matches else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the main scenario's screenshot folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "tour")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    missing = []
    for step, name, caption in STEPS:
        source = pick(args.folder, step)
        if source is None:
            missing.append(step)
            continue
        with Image.open(source) as image:
            scale = min(1.0, WIDTH / image.width)
            small = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
            small = small.crop((0, 0, small.width, min(small.height, MAX_HEIGHT)))
            small.convert("RGB").save(args.out / name, optimize=True)
        print(f"![{caption}](docs/tour/{name})")
    for step in missing:
        print(f"missing: no screenshot named *{step}*", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
