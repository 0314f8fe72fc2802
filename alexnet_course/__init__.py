"""AlexNet, taken apart: the package every notebook of the course imports.

>>> import alexnet_course as ac
>>> ac.profile("smoke").name
'smoke'
"""

from . import data, devices, lessons, profiles
from .devices import device
from .profiles import Profile, profile
from .seeding import seed_everything

__version__ = "0.1.0"
__all__ = ["data", "devices", "lessons", "profiles", "device", "profile", "Profile", "seed_everything",
           "__version__"]
