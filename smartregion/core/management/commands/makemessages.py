from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """makemessages without fuzzy guesses, and with the `N_` alias of `gettext_noop` extracted.

    A guessed translation with other placeholders breaks the compilation of the catalogues, and a
    wrong guess is worse than an English fallback. `N_` marks strings translated later (download
    titles): without the keyword, xgettext never saw them and the pages showed English.
    """

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
