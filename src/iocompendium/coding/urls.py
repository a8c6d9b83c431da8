from django.urls import path

from iocompendium.coding import views

app_name = "coding"
urlpatterns = [
    path("", views.index, name="index"),
    path("coders/", views.grant, name="grant"),
    path("<slug:slug>/", views.codebook, name="codebook"),
    path("<slug:slug>/codes/new/", views.code_edit, name="code_new"),
    path("<slug:slug>/codes/<int:pk>/", views.code_edit, name="code_edit"),
    path("<slug:slug>/code/", views.coding_page, name="code"),
    path("<slug:slug>/apply/", views.apply, name="apply"),
    path("<slug:slug>/assign/", views.assign, name="assign"),
    path("<slug:slug>/segment/remove/", views.segment_remove, name="segment_remove"),
    path("<slug:slug>/segment/memo/", views.segment_memo, name="segment_memo"),
    path("<slug:slug>/agreement/", views.agreement, name="agreement"),
    path("<slug:slug>/reconcile/", views.reconcile, name="reconcile"),
    path("<slug:slug>/review/", views.flagged, name="flagged"),
    path("<slug:slug>/suggest/", views.suggest, name="suggest"),
    path("<slug:slug>/suggestions/decide/", views.decide, name="decide"),
    path("<slug:slug>/download/<str:fmt>/", views.download, name="download"),
    path("<slug:slug>/import/", views.upload, name="import"),
]
