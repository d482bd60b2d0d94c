"""Comments, flags and following, under /propuestas/conversacion/ (namespace ``proposals-talk``)."""

from django.urls import URLPattern, path

from proposals import views_talk

app_name = "proposals-talk"

urlpatterns: list[URLPattern] = [
    path("<int:pk>/comentar/", views_talk.comment_post, name="comment-post"),
    path("<int:pk>/seguir/", views_talk.follow, name="follow"),
    path("comentarios/<int:pk>/reportar/", views_talk.comment_flag, name="comment-flag"),
    path("comentarios/<int:pk>/ocultar/", views_talk.comment_hide, name="comment-hide"),
]
