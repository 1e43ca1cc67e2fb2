"""The drafts area for images of imports not saved yet (issue 16): bounded per import and in
all, oldest first, abandoned ones removed; published into the media folder on save."""
import os
import time

from kb.drafts import DraftMedia


def image(folder, name: str, size: int, age_hours: float = 0):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(16) + bytes(size - 16))
    if age_hours:
        when = time.time() - age_hours * 3600
        os.utime(path, (when, when))
    return path


def test_images_nobody_saved_are_removed_after_the_keep_time(tmp_path):
    drafts = DraftMedia(tmp_path / "drafts")
    image(drafts.folder, "old.png", 100, age_hours=49)
    image(drafts.folder, "new.png", 100, age_hours=1)
    assert drafts.sweep() == 1
    assert sorted(p.name for p in drafts.folder.iterdir()) == ["new.png"]


def test_the_area_makes_room_from_the_oldest_but_never_from_the_last_hour(tmp_path):
    drafts = DraftMedia(tmp_path / "drafts", total=1000)
    image(drafts.folder, "a.png", 400, age_hours=5)
    image(drafts.folder, "b.png", 400, age_hours=0.5)
    assert drafts.put(image(tmp_path, "c.png", 400), "c.png")  # a.png made way
    assert sorted(p.name for p in drafts.folder.iterdir()) == ["b.png", "c.png"]
    assert not drafts.put(image(tmp_path, "d.png", 400), "d.png")  # b and c are recent: no room
    assert drafts.used() == 800


def test_publishing_copies_only_staged_images_into_the_media_folder(tmp_path):
    drafts = DraftMedia(tmp_path / "drafts")
    drafts.put(image(tmp_path, "x.png", 50), "abc.png")
    media = tmp_path / "content" / "_media"
    image(media, "old.png", 20)
    assert drafts.publish(["abc.png", "old.png", "missing.png", "../x.png"], media) == ["abc.png", "old.png"]
    assert (media / "abc.png").read_bytes() == (drafts.folder / "abc.png").read_bytes()
    assert drafts.path("../x.png") is None and drafts.path(".hidden") is None
