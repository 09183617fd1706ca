"""The release this package belongs to: the same as libtrawl's (CMakeLists.txt
project(VERSION); tests/python checks both), and the ABI major it loads (SOVERSION)."""
__version__ = "0.3.0"
ABI_VERSION = 2
