from django.urls import path

from iocompendium.instruments import views

app_name = "instruments"
urlpatterns = [
    path("", views.search_page, name="index"),
    path("search/", views.search_page, name="search"),
    path("search.json", views.search_json, name="search_json"),
    path("families/", views.family_list, name="families"),
    path("families/<int:number>/", views.family_detail, name="family"),
    path("families/methods/", views.family_methods, name="family_methods"),
    path("families/recompute/", views.family_recompute, name="family_recompute"),
    path("families/curation/", views.family_curation, name="family_curation"),
    path("families/weights/", views.family_weights, name="family_weights"),
    path("families/review/", views.family_review, name="family_review"),
    path("families/<int:number>/rename/", views.family_rename, name="family_rename"),
    path("families/<int:number>/merge/", views.family_merge, name="family_merge"),
    path("families/<int:number>/split/", views.family_split, name="family_split"),
    path("<int:pk>/pin/", views.instrument_pin, name="pin"),
    path("types/", views.type_list, name="types"),
    path("types/edit/", views.type_edit, name="type_edit"),
    path("<int:pk>/", views.instrument_detail, name="detail"),
]
