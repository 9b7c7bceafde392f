"""The only writer: update the output folder after a build succeeds, or leave it as it was."""
from __future__ import annotations

import io
import marshal
import os
import shutil
from array import array
from contextlib import contextmanager
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from .cache import DIGEST, DIGEST_BYTES, Stored, digest_of, piece_bytes, piece_digest
from .ahead import Forked
from .folders import (Scans, SpareAhead, files_in, flat_name, keep_spare, move_in, remove_leftovers, retire, retired_name,
                      scanned_spare, scans_taken, swap_in, taken_spare, update_spare)
from .splice import Layout, Source, Splice, dumped_layouts, read_layouts
from .waiting import LOST, Relay, Waiting, stamped_bytes

Made = dict[str, tuple[str, str]]  # output name -> (cache key of the page, or "", digest of the bytes)
Record = dict[str, tuple[str, str, int, int]]  # name -> (key, digest, size, mtime in ns) as the output folder holds it
# A file joined from parts (write_pieces) is kept in memory until it is this large, then written
# as it is made. Of one that joins several programmes' parts, where each part went is remembered
# (splice.Layout), for the next build to copy what it keeps from there.
SPLICED_FROM = 1 << 20


class Update:
    """A build's files, of which only those that changed reach the output folder.

    New and changed files are written into a staging folder; nothing in the output folder is
    touched until `commit`, so a failed build leaves it as it was. With a record of the last
    build (kept in .cache/), a file whose page key and bytes match what the output folder holds,
    untouched since (same size and modification time), is neither rendered nor written again.
    Without one (first build, cache off), every file is written and the staging folder replaces
    the output folder whole.
    """

    def __init__(self, out: Path, staging: Path, last: Record, present: dict[str, tuple[int, int]], in_place: bool = False):
        self.out, self.staging = out, staging
        self.folder = str(out)  # to join names to without pathlib, where thousands are (see frames.held_page)
        self.last, self.present = last, present
        self.in_place = in_place  # move changed files in one by one (see commit)
        self.made: Made = {}
        self.fresh: set[str] = set()  # made or keyed anew; the others are as the last record has them (see record)
        self.changed: set[str] = set()
        self.waiting = Waiting(staging)  # in place, changed files written at commit (see keep)
        self.held_elsewhere: set[str] = set()  # likewise, by the worker processes that rendered them
        self.written: dict[str, tuple[int, int]] = {}  # of those, the size and modification time they were written with
        self.inodes: dict[str, int] = {}  # of the output folder's files, read with `present` (see folders.spare_tree)
        self.holders: list[Holder] = []  # those processes, which write them at commit
        self.last_layouts: dict[str, Layout] = {}  # of the files joined from parts, as the last build wrote them
        self.last_reads: dict | None = None  # what each file looked up in the last build, when held (see Held)
        self.layouts: dict[str, Layout] = {}  # and as this build did
        self.spare: SpareAhead | None = None  # the spare folder being made, if there was none (see folders.SpareAhead)
        self.scans: Scans | None = None  # of the output and spare folders, if made ahead (see folders.scans_ahead)

    @property
    def whole(self) -> bool:
        return not self.last

    def current(self, name: str, key: str) -> bool:
        """Whether the output folder holds what this page key made last time; if so, keep it."""
        if not self.holds_made(name, key):
            return False
        self.made[name] = (key, self.last[name][1])
        return True

    def holds_made(self, name: str, key: str) -> bool:
        """Whether the output folder holds, untouched, what this key made last time."""
        entry = self.last.get(name)
        return bool(key) and entry is not None and entry[0] == key and self.present.get(name) == entry[2:]

    def holds_all_made(self, files: dict[str, str]) -> bool:
        """Whether the output folder holds, untouched, each of these files (name: key) as its key
        made it last time (see holds_made): in one loop, for the 16,000 calendars of one programme
        each that the feeds relay keeps at 20,000 pages (see feedrelay)."""
        last, present = self.last, self.present
        return all(key and (entry := last.get(name)) is not None and entry[0] == key and present.get(name) == entry[2:]
                   for name, key in files.items())

    def keep_made(self, files: dict[str, str]) -> None:
        """Keep files (name: key) the output folder holds as their keys made them (see holds_all_made)."""
        last = self.last
        self.made.update({name: (key, last[name][1]) for name, key in files.items()})

    def keep_all(self, key: str, prefix: str | None = None) -> bool:
        """Whether the output folder holds, untouched, every file made last time under key (and
        any key that starts with prefix, made with them); if so, keep them."""
        if not any(entry[0] == key for entry in self.last.values()):  # as after most data edits: found by comparisons alone
            return False
        present, kept, whole = self.present, [], False
        for name, entry in self.last.items():  # at 20,000 pages the record holds 36,000 files: 0.1 s
            if entry[0] == key:
                whole = True
            elif not (prefix and entry[0].startswith(prefix)):
                continue
            if present.get(name) != entry[2:]:
                return False
            kept.append((name, entry[:2]))
        if not whole:
            return False
        self.made.update(kept)
        self.layouts.update((name, self.last_layouts[name]) for name, _ in kept if name in self.last_layouts)
        return True

    def write(self, name: str, data: bytes, key: str = "") -> None:
        """Stage (or hold, see keep) a file, unless the output folder already holds these very bytes."""
        if not self.unchanged(name, key, digest_of(data).hex()):
            self.keep(name, data)

    def write_parts(self, name: str, parts: Iterable[bytes], key: str = "") -> None:
        """Stage (or keep waiting, see keep) a file made part by part, so that a large one is never in memory whole."""
        digest = DIGEST()

        def digested() -> Iterator[bytes]:
            for part in parts:
                digest.update(part)
                yield part

        if self.in_place:
            self.waiting.take(name, digested())
        else:
            with self.staged(name).open("wb") as file:
                file.writelines(digested())
        if not self.unchanged(name, key, digest.digest()[:DIGEST_BYTES].hex()):
            return
        if self.in_place:
            self.waiting.drop(name)
        else:
            self.staged(name).unlink()

    def relay(self, name: str, relay: Relay, key: str = "") -> None:
        """Keep a page to be put together at commit from its bytes on disk (in place alone, see
        waiting.Relay), under a stand-in for its digest (see STAND_IN): its bytes are neither read
        nor digested before commit."""
        self.unchanged(name, key, STAND_IN + digest_of(marshal.dumps((self.last[name][1], relay.parts))).hex())
        self.waiting.relay(name, relay)

    def relay_pieces(self, name: str, replaced: dict[int, bytes | Stored], key: str = "") -> None:
        """Keep a file the last build joined from parts, some of them replaced (by their number in
        its layout), to be put together at commit from its bytes on disk (in place alone, see
        feedrelay). Its digest and layout are those write_pieces would give the same parts."""
        _, digests, sizes = self.last_layouts[name]
        offsets = list(accumulate(sizes, initial=0))
        new_digests, new_sizes = bytearray(digests), array("L", sizes)
        parts: list[bytes | tuple[int, int]] = []
        kept_from = 0  # the old bytes from here to the next part replaced are kept
        for index in sorted(replaced):
            piece = replaced[index]
            new_digests[DIGEST_BYTES * index:DIGEST_BYTES * (index + 1)] = piece_digest(piece)
            new_sizes[index] = len(piece)
            parts += [(kept_from, offsets[index]), piece_bytes(piece)]
            kept_from = offsets[index + 1]
        parts.append((kept_from, offsets[-1]))
        whole = digest_of(bytes(new_digests)).hex()
        self.layouts[name] = (whole, bytes(new_digests), new_sizes)
        if not self.unchanged(name, key, whole):
            self.waiting.relay(name, Relay(self.present[name], tuple(parts)))

    def write_pieces(self, name: str, pieces: Iterable[bytes | Stored], key: str = "", joined: bool = False) -> None:
        """Stage (or hold) a file joined from parts, some of them Stored, whose bytes are read only if needed.
        Where each part went is kept for a file `joined` from several programmes' parts (see Layout).

        The file's digest is that of its parts' digests: a file of unchanged parts is found
        unchanged without reading one. A large file changed is written as it is made, and a part
        the last build wrote into it is copied from there (runs of them at once), rather than
        unpacked from memory: an edit of one programme changes the calendars and data files of
        the whole edition, which at 20,000 programmes run to a hundred megabytes.
        """
        digests, sizes, pending, size, kept = [], array("L"), [], 0, 0
        splice: Splice | None = None
        try:
            for piece in pieces:
                digest = piece_digest(piece)
                digests.append(digest)
                sizes.append(len(piece))
                kept += isinstance(piece, Stored)
                if splice is not None:
                    splice.add(piece, digest)
                    continue
                pending.append(piece)
                size += len(piece)
                if size > SPLICED_FROM:
                    splice = Splice(self.staged(name).open("wb"), self.last_source(name))
                    for held, held_digest in zip(pending, digests):
                        splice.add(held, held_digest)
                    pending = []
        finally:
            if splice is not None:
                splice.close()
        whole = digest_of(b"".join(digests)).hex()
        if joined and kept:
            self.layouts[name] = (whole, b"".join(digests), sizes)
        if self.unchanged(name, key, whole):
            if splice is not None:
                self.staged(name).unlink()
        elif splice is None:
            self.keep(name, self.spliced(name, pending, digests))

    def spliced(self, name: str, pieces: list[bytes | Stored], digests: list[bytes]) -> bytes:
        """A file joined from parts in memory, those the last build wrote into it copied from there."""
        source = self.last_source(name)
        if source is None:
            return b"".join(map(piece_bytes, pieces))
        splice = Splice(io.BytesIO(), source)
        for piece, digest in zip(pieces, digests):
            splice.add(piece, digest)
        splice.flush()
        data = splice.file.getvalue()
        splice.close()
        return data

    def last_source(self, name: str) -> Source | None:
        """The file the last build joined from parts under this name, if the output folder holds it untouched.

        Looked at again (the preview's record stands for a scan of the folder): its bytes are
        copied into the new file, and a file changed behind the preview's back must not be.
        """
        layout = self.last_layouts.get(name)
        return Source(self.out / name, layout) if layout is not None and self.holds_untouched(name, layout[0]) else None

    def holds_untouched(self, name: str, digest: str) -> bool:
        """Whether the output folder holds these bytes (see holds) as the last build left them, by
        a look at the file itself."""
        if not self.holds(name, digest):
            return False
        try:
            return self.untouched(name, os.stat(os.path.join(self.folder, name)))
        except OSError:
            return False

    def untouched(self, name: str, stat: os.stat_result) -> bool:
        """Whether a file the last build wrote is as it left it, by its size and modification time."""
        return (stat.st_size, stat.st_mtime_ns) == self.last[name][2:]

    def holds(self, name: str, digest: str) -> bool:
        """Whether the last build wrote these bytes (by their digest) under this name, and the
        output folder holds the file as it left it (by the record: look at the file to be sure)."""
        entry = self.last.get(name)
        return entry is not None and entry[1] == digest and self.present.get(name) == entry[2:]

    def keep(self, name: str, data: bytes) -> None:
        """Keep a changed file waiting to be written over the old one at commit (in place, see
        waiting), or stage it: a template edit in the preview changes thousands of pages."""
        if self.in_place:
            self.waiting.take(name, (data,))
        else:
            self.staged(name).write_bytes(data)

    def staged(self, name: str) -> Path:
        """Where a file is staged: in the output folder's tree when the staging folder replaces it
        whole, else flat (a folder for each changed page would cost as much as the page, see folders.spare_tree)."""
        self.waiting.drop(name)
        if not self.whole:
            return self.staging / flat_name(name)
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def unchanged(self, name: str, key: str, digest: str) -> bool:
        """Record a file made; return whether the output folder holds it already, untouched."""
        self.made[name] = (key, digest)
        self.fresh.add(name)
        entry = self.last.get(name)
        if entry is not None and entry[1] == digest and self.present.get(name) == entry[2:]:
            return True
        self.changed.add(name)
        return False

    def rekey(self, name: str, key: str) -> None:
        """File a written file under a key known only once it was made."""
        self.made[name] = (key, self.made[name][1])
        self.fresh.add(name)

    def merge(self, made: Made, changed: set[str], held: set[str], holder: Holder | None = None) -> None:
        """Take in what a worker process wrote, and the names of the files it holds until commit."""
        self.made.update(made)
        self.fresh.update(made)
        self.changed.update(changed)
        self.held_elsewhere.update(held)
        if holder is not None:
            self.holders.append(holder)

    def dismiss(self) -> None:
        """Let the worker processes go: without writing what they hold if the build failed, else
        once they have written it (see workers.Worker.wait); and this process's spill file."""
        for holder in self.holders:
            holder.dismiss()
        self.waiting.close()

    def commit(self) -> Record:
        """Bring the output folder up to date in one step; return the record of what it now holds.

        A build stopped at any moment leaves the output folder as it was or as the new build, never
        a mix: one file changed or removed is one rename or unlink; more are put together in
        another folder (unchanged files as hard links, which copy nothing) and the two folders
        are exchanged in one rename. That folder is the one the last such build replaced, kept
        (see folders.spare_tree), or else a new one.

        In place (the preview, which serves the folder from the thread that updates it, so that
        none of its readers sees it meanwhile), changed files are moved in one by one: O(changed)
        rather than O(files). The record is removed before the first move, so if the process is
        killed midway, the next build or preview replaces the folder whole.
        """
        stale = sorted(self.present.keys() - self.made.keys())
        if self.whole:  # the old folder, if any, may hold anything: removed, not kept as the spare one
            retired = swap_in(self.staging, self.out)
            if retired is not None:
                retire(retired)
        elif len(stale) + len(self.changed) == 1 or (self.in_place and (stale or self.changed)):
            move_in(self.out, self.staging, sorted(self.changed - self.waiting.names() - self.held_elsewhere), stale)
            for holder in self.holders:  # they write while this process does
                holder.write()
            self.written.update(self.waiting.write(self.out))
            for holder in self.holders:
                self.written.update(holder.wait())
        elif stale or self.changed:
            keep_spare(swap_in(self.new_tree(), self.out), self.out)
        return self.record()

    def record(self) -> Record:
        """The record of the output folder as committed: the last one, but for the files made anew
        and those no longer made. A file kept (see current, keep_all) is as the last record has it,
        so a rebuild that changes a few files of a large guide touches their entries alone."""
        record = dict(self.last)
        for name in self.last.keys() - self.made.keys():
            del record[name]
        for name in self.fresh:
            key, digest = self.made[name]
            if name in self.changed or self.whole:
                stamp = self.written.get(name)
                if stamp == LOST:  # not written (see waiting.relaid): no key nor digest of it holds
                    key, digest = "", ""
                elif stamp is None:
                    stat = os.stat(self.out / name)
                    stamp = (stat.st_size, stat.st_mtime_ns)
                record[name] = (key, digest, *stamp)
            else:
                record[name] = (key, digest, *self.present[name])
        return record

    def present_after(self, record: Record) -> dict[str, tuple[int, int]]:
        """What the output folder holds after commit, by size and modification time, from what
        it held before: the preview's record stands for a scan of the folder (see Held)."""
        present = dict(self.present)
        for name in self.present.keys() - self.made.keys():
            del present[name]
        for name in self.fresh:
            present[name] = record[name][2:]
        return present

    def new_tree(self) -> Path:
        """The folder that takes the output folder's place: the spare one brought up to date, or a
        new one (see folders.spare_tree)."""
        changed, unchanged = sorted(self.changed), [name for name in self.made if name not in self.changed]
        if self.spare is not None:
            self.spare.wait()
        spare = taken_spare(self.out)
        try:
            update_spare(self.out, self.inodes, self.staging, spare, changed, unchanged, scanned_spare(self.scans, spare))
        except OSError:  # a file where a folder is now, say: put together from nothing instead
            retired = retired_name(self.out)
            spare.rename(retired)
            retire(retired)
            spare = taken_spare(self.out)
            update_spare(self.out, self.inodes, self.staging, spare, changed, unchanged)
        return spare


class Holder(Protocol):
    """A worker process that holds changed files until the update is committed (see workers.Worker)."""

    def write(self) -> None: ...

    def wait(self) -> dict[str, tuple[int, int]]: ...

    def dismiss(self) -> None: ...


class Discard(Update):
    """An update that keeps nothing: `check` renders every page to find template errors, and writes nothing."""

    def __init__(self) -> None:
        super().__init__(Path(), Path(), {}, {})

    def write(self, name: str, data: bytes, key: str = "") -> None:
        self.made[name] = (key, "")

    def write_parts(self, name: str, parts: Iterable[bytes | Stored], key: str = "") -> None:
        for _ in parts:
            pass
        self.made[name] = (key, "")

    def write_pieces(self, name: str, pieces: Iterable[bytes | Stored], key: str = "", joined: bool = False) -> None:
        self.write_parts(name, pieces, key)

    def commit(self) -> Record:
        return {}


# What a page put together from its bytes on disk is recorded under begins so: a digest of the old
# bytes' and of what replaces some of them, which tells its bytes from others as well as theirs
# would. Its bytes' own digest takes its place before the record is kept (see Held.confirmed): a
# build, which digests what it makes, found every page the preview had put so changed, and wrote
# it again (at 20,000 pages, ~1,000 after a programme edit), and the preview's next run could
# not splice the main blocks of those pages (its first programme edit then took 1.9 s, not 0.9 s).
STAND_IN = "~"


class Held:
    """The record of an output folder, held in memory by a process that updates it again and again.

    The preview is the folder's only writer while it runs, so the record it last committed
    tells what the folder holds without reading the folder again.
    """

    def __init__(self) -> None:
        self.record: Record = {}
        self.present: dict[str, tuple[int, int]] = {}  # the record's sizes and modification times
        self.reads: dict = {}  # what each file looked up, as the build that made the record recorded it (see reads)
        self.layouts: dict[str, Layout] = {}  # of the files joined from parts (see Update.write_pieces)
        self.unsaved: dict[Path, Callable[[], bytes]] = {}  # files of .cache/ whose writing is put off (see save)

    def put_off(self, path: Path, data: Callable[[], bytes]) -> None:
        self.unsaved[path] = data

    def confirmed(self, out: Path) -> dict[str, tuple[str, str]]:
        """Put in the record the digest of each file recorded under a stand-in (see STAND_IN) that
        the output folder holds as recorded; return, by name, each stand-in and its digest."""
        found = {}
        for name, entry in self.record.items():
            if entry[1].startswith(STAND_IN):
                data = stamped_bytes(os.path.join(out, name), entry[2:])
                if data is not None:
                    found[name] = (entry[1], digest_of(data).hex())
                    self.record[name] = (entry[0], found[name][1], *entry[2:])
        return found

    def save(self) -> None:
        """Write what the last commit put off to .cache/: the output's record, and what goes with
        it, for the next build or run. The preview puts it off until the saves pause, and until
        then a build (which finds no record) makes the whole site: at 20,000 pages, writing the
        record and the lookups took ~60 ms of every edit."""
        unsaved, self.unsaved = self.unsaved, {}
        for path, data in unsaved.items():
            write_file(path, data())


@contextmanager
def updating(out: Path, record_path: Path | None, held: Held | None = None, scans: Forked | None = None) -> Iterator[Update]:
    """Yield an Update of out; commit it if the block succeeds, else leave out as it was.

    With `held`, the record held in memory stands for the one on disk and for a scan of out,
    and changed files are moved in place (see Update.commit). `scans` are being made ahead (see
    folders.scans_ahead).
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    known = held.record if held and record_path and out.is_dir() else {}
    last = known or (read_record(record_path) if record_path and out.is_dir() else {})
    update = Update(out, staging, last, {}, in_place=held is not None and bool(last))
    try:
        if known:
            update.present = held.present
            update.last_layouts, update.last_reads = held.layouts, held.reads
        elif last:
            if held is None:  # the preview writes changed files in place, and needs none
                update.spare = SpareAhead(out)  # begun before the scan: the two read the same folder
            update.scans = scans_taken(scans)
            update.present, update.inodes = update.scans[:2] if update.scans else files_in(out)
            update.last_layouts = read_layouts(beside(record_path, "layouts"))
        yield update
        if record_path:
            record_path.unlink(missing_ok=True)  # out is about to change: the old record no longer holds
        if held:
            held.unsaved.clear()  # nor the one the last commit put off
        record = update.commit()
        if update.spare is not None:  # kept for the next build, even by one that changed nothing or one file
            update.spare.wait()
        if record_path:
            save = held.put_off if held else saved
            save(record_path, partial(marshal.dumps, record))
            # A prose edit rewrites no feed, nor their layouts; but the preview's last put off is gone (see Held.save).
            if held or update.layouts != update.last_layouts:
                save(beside(record_path, "layouts"), partial(dumped_layouts, update.layouts))
        if held:
            held.record, held.present, held.layouts = record, update.present_after(record), update.layouts
    finally:
        update.dismiss()
        shutil.rmtree(staging, ignore_errors=True)
        if update.spare is not None:
            update.spare.end()


def beside(record_path: Path, kind: str) -> Path:
    """Where what goes with an output's record is kept: the lookups ("reads", see reads) and the
    layouts of the files joined from parts ("layouts", see splice.dumped_layouts)."""
    return record_path.parent.parent / kind / record_path.name


def read_record(path: Path) -> Record:
    """Return the record of the last build; an unreadable or damaged one is no record (a whole build follows)."""
    try:
        record = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return record if isinstance(record, dict) and all(map(record_entry, record.items())) else {}


def record_entry(item) -> bool:
    name, entry = item
    return (isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 4
            and all(isinstance(v, str) for v in entry[:2]) and all(isinstance(v, int) for v in entry[2:]))


def saved(path: Path, data: Callable[[], bytes]) -> None:
    write_file(path, data())


def write_file(path: Path, data: bytes) -> None:
    """Write one file whole: a sibling temporary file renamed over it, so no reader sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.new-{os.getpid()}"
    try:
        staging.write_bytes(data)
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)
