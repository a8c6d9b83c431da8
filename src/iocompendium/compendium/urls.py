from django.urls import path

from iocompendium.compendium import views

app_name = "compendium"
urlpatterns = [
    path("", views.index, name="index"),
    path("themes/<slug:slug>/", views.theme, name="theme"),
    path("practices/<slug:identifier>/", views.practice, name="practice"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("families/", views.families, name="families"),
    path("search/", views.search_practices, name="search"),
    path("curate/", views.curate, name="curate"),
    path("curate/<int:pk>/", views.edit_practice, name="edit"),
    path("curate/<int:pk>/status/", views.practice_status, name="status"),
    path("principles/", views.principles, name="principles"),
]
