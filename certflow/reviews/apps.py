from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "certflow.reviews"
    label = "reviews"
    verbose_name = "文件审核 / Document review"

    def ready(self):
        from certflow.core.workdays.services import on_calendar_change
        from certflow.reviews.services.deadlines import settle_provisional_deadlines

        on_calendar_change(settle_provisional_deadlines)
