from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from floor_app import views

urlpatterns = i18n_patterns(path("save/", views.save_authenticated))
