from django.urls import path

from iocompendium.evidence import views, views_quotes

app_name = "evidence"
urlpatterns = [
    path("", views.index, name="index"),
    path("charts/<str:kind>.svg", views.chart, name="chart"),
    path("reports/", views.report_build, name="report_build"),
    path("reports/<uuid:job_id>/", views.report_job, name="report_job"),
    path("reports/<uuid:job_id>/run/", views.report_run_now, name="report_run_now"),
    path("reports/<uuid:job_id>/download/", views.report_download, name="report_download"),
    path("exports/<str:fmt>/", views.export_download, name="export_download"),
    path("quotes/", views_quotes.quotes, name="quotes"),
    path("quotes/mark/", views_quotes.quote_mark, name="quote_mark"),
]
