"""The admin web shell: layout, page dependencies (session cookie, CSRF), errors, navigation, assets."""
