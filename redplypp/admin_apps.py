from django.contrib.admin.apps import AdminConfig


class RedplyppAdminConfig(AdminConfig):
    default_site = "redplypp.admin_site.MFAAdminSite"
