# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: (c) 2026, fleetops.kurator contributors
"""Stand-in for ansible-test's downloaded get-pip script (its host is unreachable here).

ansible-test runs this file with pip's options and the packages to install as arguments.
Bootstrap pip from the interpreter's own ensurepip, then install the same packages from
the configured package index.
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
