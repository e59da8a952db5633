/*
 * lazyfs: a FUSE file system that loses, on "power loss", every byte not fsynced.
 *
 * The idea is Jepsen's LazyFS (no code from it): data writes are not applied to the backing file but
 * kept in this daemon's memory as pending extents, which reads see overlaid on the backing file. A
 * file's pending extents reach the backing file (then fsync/fdatasync of it) only when that file is
 * fsynced through the mount. The kernel turns every durability request into FUSE_FSYNC on the file:
 * fsync and fdatasync, a write through an O_SYNC/O_DSYNC descriptor (generic_write_sync after the
 * write), and msync(MS_SYNC) of a shared mapping (its dirty pages arrive as writes, then the fsync).
 * Power loss is the daemon ending: unmounting (fusermount3 -u, umount -l) makes the kernel hand over
 * what it still holds as writes, and the daemon exits with everything pending discarded (SIGKILL of
 * the daemon does the same). Mounting again over the same backing directory shows only fsynced bytes.
 *
 * Metadata (create, mkdir, unlink, rmdir, rename, truncate, fallocate, chmod, utimens) is applied to
 * the backing directory at once: weaker than a real power cut, where a create or rename not followed
 * by an fsync of its directory may be lost too.
 *
 * Usage: lazyfs <backing directory> <mount point> [fuse options, e.g. -f]
 * Mounted single-threaded (-s, added here): requests are handled one at a time in the order the kernel
 * sends them, so the pending table needs no lock. Writeback caching stays off (the default; cleared in
 * init to be sure), so every write() reaches the daemon when it is made and the kernel holds no dirty
 * page cache except shared mappings; direct_io stays off so mmap works.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* A bound on memory held for unsynced data: past it a write fails (ENOSPC) rather than growing without end. */
#define PENDING_LIMIT ((size_t)1 << 30)

struct extent {
    off_t off;
    size_t len;
    char *data;
};

/* One backing file (by inode: renames keep it) with unsynced writes and/or open handles. */
struct node {
    ino_t ino;
    int opens;
    int unlinked;          /* its last name is gone: dropped when the last handle closes */
    struct extent *ext;    /* in write order: a later extent wins where they overlap */
    size_t count, cap;
    off_t end;             /* the furthest byte any extent reaches: the file's size as seen through the mount */
    struct node *next;
};

struct handle {
    int fd;                /* the backing file, opened read-write whatever the caller asked, so any fsync can apply */
    struct node *node;
};

static int root_fd = -1;
static struct node *nodes;
static size_t pending_bytes;

/* Paths from FUSE start with '/'; the backing operations are relative to root_fd. */
static const char *rel(const char *path)
{
    return path[1] == '\0' ? "." : path + 1;
}

static struct node *find_node(ino_t ino)
{
    for (struct node *n = nodes; n != NULL; n = n->next)
        if (n->ino == ino)
            return n;
    return NULL;
}

static struct node *get_node(ino_t ino)
{
    struct node *n = find_node(ino);
    if (n != NULL)
        return n;
    n = calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->ino = ino;
    n->next = nodes;
    nodes = n;
    return n;
}

static void clear_extents(struct node *n)
{
    for (size_t i = 0; i < n->count; i++) {
        pending_bytes -= n->ext[i].len;
        free(n->ext[i].data);
    }
    n->count = 0;
    n->end = 0;
}

/* Forgets a node nobody can reach any more (no handle, and no name or nothing pending). */
static void maybe_free(struct node *n)
{
    if (n->opens > 0 || (n->count > 0 && !n->unlinked))
        return;
    clear_extents(n);
    for (struct node **p = &nodes; *p != NULL; p = &(*p)->next) {
        if (*p == n) {
            *p = n->next;
            break;
        }
    }
    free(n->ext);
    free(n);
}

/* Called before a name of a regular file goes away (unlink, rename over it): its last name means its data is gone. */
static void forget_name(const char *path)
{
    struct stat st;
    if (fstatat(root_fd, rel(path), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1)
        return;
    struct node *n = find_node(st.st_ino);
    if (n == NULL)
        return;
    n->unlinked = 1;
    maybe_free(n);
}

/* Drops pending bytes at or past size (truncate): what a shrink removed must not come back. */
static void trim(struct node *n, off_t size)
{
    size_t kept = 0;
    n->end = 0;
    for (size_t i = 0; i < n->count; i++) {
        struct extent e = n->ext[i];
        if (e.off >= size) {
            pending_bytes -= e.len;
            free(e.data);
            continue;
        }
        if (e.off + (off_t)e.len > size) {
            pending_bytes -= e.len - (size_t)(size - e.off);
            e.len = (size_t)(size - e.off);
        }
        if (e.off + (off_t)e.len > n->end)
            n->end = e.off + (off_t)e.len;
        n->ext[kept++] = e;
    }
    n->count = kept;
}

/* The size through the mount: the backing size, or further if unsynced writes extend the file. */
static void overlay_size(struct stat *st)
{
    if (!S_ISREG(st->st_mode))
        return;
    struct node *n = find_node(st->st_ino);
    if (n != NULL && n->end > st->st_size)
        st->st_size = n->end;
}

static int lazy_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    int rc = fi != NULL ? fstat(((struct handle *)(uintptr_t)fi->fh)->fd, st)
                        : fstatat(root_fd, rel(path), st, AT_SYMLINK_NOFOLLOW);
    if (rc != 0)
        return -errno;
    overlay_size(st);
    return 0;
}

static int open_backing(const char *path, int flags, mode_t mode, struct fuse_file_info *fi)
{
    /* O_APPEND would make pwrite ignore offsets (the kernel already chose them); O_SYNC/O_DIRECT are
       the daemon's business, not the backing file's. */
    int fd = openat(root_fd, rel(path), O_RDWR | O_CLOEXEC | (flags & (O_CREAT | O_EXCL)), mode);
    if (fd < 0 && (errno == EACCES || errno == EISDIR || errno == EROFS))
        fd = openat(root_fd, rel(path), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    struct handle *h = malloc(sizeof *h);
    if (h == NULL || fstat(fd, &st) != 0 || (h->node = get_node(st.st_ino)) == NULL) {
        free(h);
        close(fd);
        return -ENOMEM;
    }
    h->fd = fd;
    h->node->opens++;
    h->node->unlinked = 0;
    fi->fh = (uint64_t)(uintptr_t)h;
    return 0;
}

static int lazy_open(const char *path, struct fuse_file_info *fi)
{
    return open_backing(path, 0, 0, fi);
}

static int lazy_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    return open_backing(path, O_CREAT | (fi->flags & O_EXCL), mode, fi);
}

static int lazy_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    struct handle *h = (struct handle *)(uintptr_t)fi->fh;
    struct stat st;
    if (fstat(h->fd, &st) != 0)
        return -errno;
    overlay_size(&st);
    if (off >= st.st_size)
        return 0;
    size_t n = (size_t)(st.st_size - off) < size ? (size_t)(st.st_size - off) : size;
    /* Backing bytes first (zeros past its end), then every pending extent in write order over them. */
    memset(buf, 0, n);
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(h->fd, buf + got, n - got, off + (off_t)got);
        if (r < 0)
            return -errno;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    for (size_t i = 0; i < h->node->count; i++) {
        struct extent *e = &h->node->ext[i];
        off_t from = e->off > off ? e->off : off;
        off_t to = e->off + (off_t)e->len < off + (off_t)n ? e->off + (off_t)e->len : off + (off_t)n;
        if (from < to)
            memcpy(buf + (from - off), e->data + (from - e->off), (size_t)(to - from));
    }
    return (int)n;
}

static int lazy_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    struct node *n = ((struct handle *)(uintptr_t)fi->fh)->node;
    if (pending_bytes + size > PENDING_LIMIT) {
        fprintf(stderr, "lazyfs: more than %zu bytes written without fsync: refusing the write\n", PENDING_LIMIT);
        return -ENOSPC;
    }
    /* A write right after the previous one (the usual sequential case) extends it rather than adding an extent. */
    struct extent *last = n->count > 0 ? &n->ext[n->count - 1] : NULL;
    if (last != NULL && last->off + (off_t)last->len == off) {
        char *grown = realloc(last->data, last->len + size);
        if (grown == NULL)
            return -ENOMEM;
        memcpy(grown + last->len, buf, size);
        last->data = grown;
        last->len += size;
    } else {
        if (n->count == n->cap) {
            size_t cap = n->cap == 0 ? 16 : n->cap * 2;
            struct extent *ext = realloc(n->ext, cap * sizeof *ext);
            if (ext == NULL)
                return -ENOMEM;
            n->ext = ext;
            n->cap = cap;
        }
        char *data = malloc(size);
        if (data == NULL)
            return -ENOMEM;
        memcpy(data, buf, size);
        n->ext[n->count++] = (struct extent){ .off = off, .len = size, .data = data };
    }
    pending_bytes += size;
    if (off + (off_t)size > n->end)
        n->end = off + (off_t)size;
    return (int)size;
}

/* The only way data becomes durable: this file's pending extents, in order, then the backing fsync. */
static int lazy_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path;
    struct handle *h = (struct handle *)(uintptr_t)fi->fh;
    struct node *n = h->node;
    for (size_t i = 0; i < n->count; i++) {
        struct extent *e = &n->ext[i];
        for (size_t done = 0; done < e->len;) {
            ssize_t w = pwrite(h->fd, e->data + done, e->len - done, e->off + (off_t)done);
            if (w < 0)
                return -errno; /* nothing dropped: the extents stay pending, the caller sees the error */
            done += (size_t)w;
        }
    }
    clear_extents(n);
    return (datasync ? fdatasync(h->fd) : fsync(h->fd)) != 0 ? -errno : 0;
}

static int lazy_flush(const char *path, struct fuse_file_info *fi)
{
    /* close() is not a durability point: nothing to do. */
    (void)path;
    (void)fi;
    return 0;
}

static int lazy_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    struct handle *h = (struct handle *)(uintptr_t)fi->fh;
    struct stat st;
    /* Still pending after the last close is fine (the page cache keeps it too), unless the file has no name left. */
    if (fstat(h->fd, &st) == 0 && st.st_nlink == 0)
        h->node->unlinked = 1;
    close(h->fd);
    h->node->opens--;
    maybe_free(h->node);
    free(h);
    return 0;
}

static int lazy_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    int fd = fi != NULL ? ((struct handle *)(uintptr_t)fi->fh)->fd : openat(root_fd, rel(path), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    int rc = fstat(fd, &st) == 0 && ftruncate(fd, size) == 0 ? 0 : -errno;
    if (fi == NULL)
        close(fd);
    if (rc == 0) {
        struct node *n = find_node(st.st_ino);
        if (n != NULL) {
            trim(n, size);
            maybe_free(n);
        }
    }
    return rc;
}

static int lazy_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
    (void)path;
    /* Allocation only (size and zeros past the end): modes that change data (punch hole, zero range) would
       have to edit pending extents too, and nothing here needs them. */
    if ((mode & ~FALLOC_FL_KEEP_SIZE) != 0)
        return -EOPNOTSUPP;
    return fallocate(((struct handle *)(uintptr_t)fi->fh)->fd, mode, off, len) != 0 ? -errno : 0;
}

static int lazy_unlink(const char *path)
{
    forget_name(path);
    return unlinkat(root_fd, rel(path), 0) != 0 ? -errno : 0;
}

static int lazy_rename(const char *from, const char *to, unsigned int flags)
{
    struct stat st;
    int replaced = (flags & RENAME_EXCHANGE) == 0 && fstatat(root_fd, rel(to), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (renameat2(root_fd, rel(from), root_fd, rel(to), flags) != 0)
        return -errno;
    if (replaced && S_ISREG(st.st_mode) && st.st_nlink == 1) {
        struct node *n = find_node(st.st_ino);
        if (n != NULL) {
            n->unlinked = 1;
            maybe_free(n);
        }
    }
    return 0;
}

static int lazy_mkdir(const char *path, mode_t mode)
{
    return mkdirat(root_fd, rel(path), mode) != 0 ? -errno : 0;
}

static int lazy_rmdir(const char *path)
{
    return unlinkat(root_fd, rel(path), AT_REMOVEDIR) != 0 ? -errno : 0;
}

static int lazy_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    int rc = fi != NULL ? fchmod(((struct handle *)(uintptr_t)fi->fh)->fd, mode) : fchmodat(root_fd, rel(path), mode, 0);
    return rc != 0 ? -errno : 0;
}

static int lazy_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    int rc = fi != NULL ? fchown(((struct handle *)(uintptr_t)fi->fh)->fd, uid, gid)
                        : fchownat(root_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
    return rc != 0 ? -errno : 0;
}

static int lazy_utimens(const char *path, const struct timespec ts[2], struct fuse_file_info *fi)
{
    int rc = fi != NULL ? futimens(((struct handle *)(uintptr_t)fi->fh)->fd, ts)
                        : utimensat(root_fd, rel(path), ts, AT_SYMLINK_NOFOLLOW);
    return rc != 0 ? -errno : 0;
}

static int lazy_opendir(const char *path, struct fuse_file_info *fi)
{
    int fd = openat(root_fd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        int e = errno;
        close(fd);
        return -e;
    }
    fi->fh = (uint64_t)(uintptr_t)dir;
    return 0;
}

static int lazy_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                        enum fuse_readdir_flags flags)
{
    (void)path;
    (void)off;
    (void)flags;
    DIR *dir = (DIR *)(uintptr_t)fi->fh;
    rewinddir(dir);
    struct dirent *d;
    while ((d = readdir(dir)) != NULL) {
        struct stat st = { .st_ino = d->d_ino, .st_mode = (mode_t)DTTOIF(d->d_type) };
        if (fill(buf, d->d_name, &st, 0, 0) != 0)
            break;
    }
    return 0;
}

static int lazy_releasedir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    closedir((DIR *)(uintptr_t)fi->fh);
    return 0;
}

static int lazy_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    /* Directory changes are applied at once (see the top); passing the fsync on keeps them durable for real. */
    (void)path;
    int fd = dirfd((DIR *)(uintptr_t)fi->fh);
    return (datasync ? fdatasync(fd) : fsync(fd)) != 0 ? -errno : 0;
}

static int lazy_statfs(const char *path, struct statvfs *st)
{
    (void)path;
    return fstatvfs(root_fd, st) != 0 ? -errno : 0;
}

static void *lazy_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
    cfg->use_ino = 1;       /* backing inode numbers: the pending table is keyed by them */
    cfg->hard_remove = 1;   /* no .fuse_hidden files in the backing directory: an unlinked open file stays usable by handle */
    cfg->nullpath_ok = 1;   /* so operations on such a file arrive with its handle and no path */
    cfg->direct_io = 0;
    cfg->kernel_cache = 0;
    return NULL;
}

static void lazy_destroy(void *data)
{
    /* The power went out: whatever is still pending is dropped with the process. */
    (void)data;
    size_t files = 0;
    for (struct node *n = nodes; n != NULL; n = n->next)
        files += n->count > 0;
    fprintf(stderr, "lazyfs: unmounted; %zu unsynced bytes in %zu files discarded\n", pending_bytes, files);
}

static const struct fuse_operations operations = {
    .getattr = lazy_getattr,
    .open = lazy_open,
    .create = lazy_create,
    .read = lazy_read,
    .write = lazy_write,
    .fsync = lazy_fsync,
    .flush = lazy_flush,
    .release = lazy_release,
    .truncate = lazy_truncate,
    .fallocate = lazy_fallocate,
    .unlink = lazy_unlink,
    .rename = lazy_rename,
    .mkdir = lazy_mkdir,
    .rmdir = lazy_rmdir,
    .chmod = lazy_chmod,
    .chown = lazy_chown,
    .utimens = lazy_utimens,
    .opendir = lazy_opendir,
    .readdir = lazy_readdir,
    .releasedir = lazy_releasedir,
    .fsyncdir = lazy_fsyncdir,
    .statfs = lazy_statfs,
    .init = lazy_init,
    .destroy = lazy_destroy,
};

int main(int argc, char *argv[])
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s <backing directory> <mount point> [fuse options]\n", argv[0]);
        return 2;
    }
    root_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) {
        perror(argv[1]);
        return 2;
    }
    /* fuse_main gets: program, mount point, -s, then the caller's options. */
    char **args = calloc((size_t)argc + 3, sizeof *args);
    if (args == NULL)
        return 2;
    int n = 0;
    args[n++] = argv[0];
    args[n++] = argv[2];
    args[n++] = "-s";
    args[n++] = "-o";
    args[n++] = "fsname=lazyfs,subtype=lazyfs";
    for (int i = 3; i < argc; i++)
        args[n++] = argv[i];
    return fuse_main(n, args, &operations, NULL);
}
