"""Clean-up utilities, mounted at /cleanup/. Every route with an id is walked by tests/test_tenancy_walk.py.

Each utility gets its own parameters page (`cleanup:<kind>`), guarded by its own security function, so that the
security matrix sees every utility's function guarding a route.
"""

from django.urls import path

from tabwise.cleanup import matching_queue, registry, views

app_name = "cleanup"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/<int:run_id>/", views.run_detail, name="run-detail"),
    path("runs/<int:run_id>/start/", views.run_start, name="run-start"),
    path("runs/<int:run_id>/undo/", views.run_undo, name="run-undo"),
    # The duplicate-customers review queue (issue 5: the automatic combine)
    path("duplicates/", matching_queue.queue_view, name="duplicates"),
    path("duplicates/find/", matching_queue.find_view, name="duplicates-find"),
    path("duplicates/<int:candidate_id>/not/", matching_queue.not_duplicate_view, name="duplicate-not"),
    path("duplicates/<int:candidate_id>/family/", matching_queue.family_view, name="duplicate-family"),
    *(path(f"{utility.kind}/", views.utility_view(utility), name=utility.kind) for utility in registry.all()),
]
