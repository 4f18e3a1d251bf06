"""Where verification documents are kept: files on disk that no URL reaches."""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A file system storage without URLs: a document is read only through the staff view that checks permission."""

    def url(self, name):
        raise ValueError("Private documents have no public URL; staff open them through the document view.")
