"""Schemathesis hook: every request leaves from FUZZ_SOURCE_ADDRESS (a loopback address).

The API limits failed logins (and signups) per client address. The fuzzer's
random logins would use up the limit of 127.0.0.1, which the other suites log
in from, so it speaks from an address of its own (127.0.0.0/8 is all loopback).
"""
import os

import requests.adapters

SOURCE_ADDRESS = os.environ["FUZZ_SOURCE_ADDRESS"]
_init_poolmanager = requests.adapters.HTTPAdapter.init_poolmanager


def _init_poolmanager_from_source(self, *args, **kwargs):
    kwargs["source_address"] = (SOURCE_ADDRESS, 0)
    return _init_poolmanager(self, *args, **kwargs)


requests.adapters.HTTPAdapter.init_poolmanager = _init_poolmanager_from_source
