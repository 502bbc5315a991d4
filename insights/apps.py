from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Figures for the web team and the public: services online, the trend, what is not online, how forms do."""

    name = "insights"
    verbose_name = _("Insights")

    def ready(self):
        from backoffice.relay import worker_tick

        from . import journey_figures

        journey_figures.connect()
        worker_tick.connect(journey_figures.flush_timer, dispatch_uid="insights-flush-journey-figures")
