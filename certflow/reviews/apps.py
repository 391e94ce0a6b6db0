from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "certflow.reviews"
    label = "reviews"
    verbose_name = "文件审核 / Document review"
