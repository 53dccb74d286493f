"""What the barometer tells the apps above it, without knowing them.

``wave_closed`` is sent (with ``wave=``) once a wave's closing is committed: its responses are then
frozen, so an app that builds on them (the observatory publishes editions of closed waves) may
prepare its work. The barometer imports none of them.
"""

from django.dispatch import Signal

wave_closed = Signal()
