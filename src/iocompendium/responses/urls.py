from django.urls import path

from iocompendium.responses import (
    views,
    views_import,
    views_invitations,
    views_preview,
    views_review,
)

app_name = "responses"
urlpatterns = [
    path("", views.index, name="index"),
    path("invitations/", views_invitations.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views_invitations.invitation_revoke,
         name="invitation_revoke"),
    path("invitation/<str:token>/", views_invitations.invitation_accept,
         name="invitation_accept"),
    path("start/<slug:slug>/", views.start, name="start"),
    path("import/", views_import.import_page, name="import"),
    path("approve/", views_review.approve_bulk, name="approve_bulk"),
    path("quality/<slug:slug>/", views_review.data_quality, name="data_quality"),
    path("import/problems.csv", views_import.import_problems_csv, name="import_problems"),
    path("preview/<slug:slug>/v<int:number>/answer/", views_preview.preview_answer,
         name="preview_answer"),
    path("preview/<slug:slug>/v<int:number>/<str:name>/", views_preview.preview_section,
         name="preview_section"),
    path("<int:pk>/", views.response_detail, name="response_detail"),
    path("<int:pk>/section/<str:name>/", views.section, name="section"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/file/", views.upload_answer_file, name="upload_answer_file"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/status/", views_review.set_status, name="set_status"),
    path("<int:pk>/queries/", views_review.queries, name="queries"),
    path("<int:pk>/queries/<int:query_id>/", views_review.query_detail, name="query_detail"),
    path("<int:pk>/queries/<int:query_id>/status/", views_review.query_status,
         name="query_status"),
    path("<int:pk>/audit/", views_review.audit, name="audit"),
    path("<int:pk>/audit.csv", views_review.audit_csv, name="audit_csv"),
    path("<int:pk>/answers.csv", views_review.answers_csv, name="answers_csv"),
]
