from django.urls import path

from iocompendium.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
]
