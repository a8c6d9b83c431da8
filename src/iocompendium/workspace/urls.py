from django.urls import path

from iocompendium.workspace import views

app_name = "workspace"
urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/register/", views.meeting_register, name="meeting_register"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/actions/", views.meeting_action, name="meeting_action"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/v<int:number>/", views.document_download,
         name="document_download"),
    path("working-groups/", views.working_groups, name="working_groups"),
    path("working-groups/<slug:slug>/", views.working_group, name="working_group"),
    path("timeline/", views.timeline, name="timeline"),
    path("people/", views.people, name="people"),
    path("profile/", views.profile, name="profile"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/compare/", views.round_compare, name="round_compare"),
    path("rounds/responses/<int:response_id>/carried/", views.carried, name="carried"),
]
