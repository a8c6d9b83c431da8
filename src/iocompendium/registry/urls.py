from django.urls import path

from iocompendium.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    # "path", not "str": some acronyms contain a slash (PIC/S).
    path("<path:acronym>/", views.organisation_detail, name="organisation_detail"),
]
