"""Where ../shared (the corpus) is, for the bench scripts."""
import os


def default_shared():
    """$TRAWL_SHARED_DIR, else ../shared next to the checkout or next to any parent
    (worktrees live deeper)."""
    if os.environ.get("TRAWL_SHARED_DIR"):
        return os.environ["TRAWL_SHARED_DIR"]
    d = os.path.dirname(os.path.abspath(__file__))
    while d != os.path.dirname(d):
        d = os.path.dirname(d)
        if os.path.isdir(os.path.join(d, "shared", "corpus")):
            return os.path.join(d, "shared")
    return "../shared"
