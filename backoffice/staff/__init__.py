"""Back-office staff views in the Wagtail admin: request queues, casework actions, deliveries.

`access` says who may see what, `audit` writes Wagtail's log, `forms` validates the
casework actions, `requests` and `deliveries` hold the views, and `viewsets` wires them
(with the Queue and RoutingRule admin) into the admin; `backoffice.wagtail_hooks` registers them.
"""
