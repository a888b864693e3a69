"""The trainee app: home page, pages, instructor page (served by Voilà)."""
