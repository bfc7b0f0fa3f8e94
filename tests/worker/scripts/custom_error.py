class LessonError(Exception):
    pass


raise LessonError("custom")
