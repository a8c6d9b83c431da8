from django.urls import path

from iocompendium.instruments import views

app_name = "instruments"
urlpatterns = [
    path("", views.search_page, name="index"),
    path("search/", views.search_page, name="search"),
    path("search.json", views.search_json, name="search_json"),
    path("families/", views.family_list, name="families"),
    path("families/<int:number>/", views.family_detail, name="family"),
    path("types/", views.type_list, name="types"),
    path("types/edit/", views.type_edit, name="type_edit"),
    path("<int:pk>/", views.instrument_detail, name="detail"),
]
