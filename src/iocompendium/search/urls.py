from django.urls import path

from iocompendium.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="index"),
    path("similar/<slug:kind>/<path:key>/", views.similar_page, name="similar"),
]
