from django.urls import path

from . import views

app_name = "questionnaires"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<slug:slug>/v<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/v<int:number>/publish/", views.publish, name="publish"),
    path("<slug:slug>/v<int:number>/unit/", views.unit, name="unit"),
    path("<slug:slug>/v<int:number>/xlsform/", views.download, name="download"),
]
