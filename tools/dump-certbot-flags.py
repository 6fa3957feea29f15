# Prints every option string certbot's argparse parser knows (hidden ones too), with whether it takes a value.
import argparse, sys
original = argparse.ArgumentParser.parse_known_args
def dump(self, args=None, namespace=None, **kw):
    if len(self._option_string_actions) < 50:
        return original(self, args, namespace, **kw)
    for option in sorted(self._option_string_actions):
        action = self._option_string_actions[option]
        print(option, 'flag' if action.nargs == 0 else 'value')
    sys.exit(0)
argparse.ArgumentParser.parse_known_args = dump
from certbot.main import main
main(sys.argv[1:] or ['certonly'])
