from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Figures for the web team and the public: services online, the trend, what is not online yet."""

    name = "insights"
    verbose_name = "Insights"
