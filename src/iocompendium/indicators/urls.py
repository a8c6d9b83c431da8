from django.urls import path

from iocompendium.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/units/<str:unit>/", views.unit, name="unit"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/preview/", views.preview, name="preview"),
]
