"""Open311 GeoReport v2 server at /open311/v2/, generated from the live e-forms.

`mapping` turns a form definition into an Open311 service definition (and says which forms
cannot be offered); `intake` turns a posted request into the portal's JSON answers; `feeds`
builds the public request and update documents; `render` writes any document as XML or JSON;
`views` and `urls` serve them. Requests enter through the same intake as the web form.
"""
