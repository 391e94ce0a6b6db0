from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "certflow.surveillance"
    label = "surveillance"
    verbose_name = "持续监督 / Surveillance"

    def ready(self):
        from certflow.surveillance import programme_state

        programme_state.connect()
