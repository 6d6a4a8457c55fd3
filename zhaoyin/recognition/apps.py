from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "zhaoyin.recognition"
    label = "recognition"
    verbose_name = _("Talent recognition")

    def ready(self) -> None:
        # Hand-off notices of the recognition machine and its part of 我的待办 (zhaoyin.core.todo).
        from zhaoyin.core import todo
        from zhaoyin.notifications import handoff
        from zhaoyin.recognition.flow import RECOGNITION_TABLE
        from zhaoyin.recognition.todo import RecognitionResolver, RecognitionTodo

        handoff.register(RECOGNITION_TABLE, RecognitionResolver())
        todo.register(RecognitionTodo())
