"""Staff side of retention (statement §4): legal holds, ended customer relationships, the deletion log."""
