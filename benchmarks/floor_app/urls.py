from django.urls import path

from floor_app import views

urlpatterns = [path("save/", views.save)]
