#define _GNU_SOURCE
#include "startup_memory.h"

#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

// Why this exists (issue 31, peak RSS): the executable is position-independent, so the
// loader applies about 56,000 relative relocations at every start, reading all of
// `.rela.dyn` (1.3 MB). Those pages stay resident, counted in the run's peak, though nothing
// reads them again. Packed relocations (RELR) would make the table 60 times smaller, but
// glibc's loader reads RELR only since 2.36, and the package must run on 2.34. Dropping
// the pages is safe: the table lies in a read-only, file-backed segment, so MADV_DONTNEED
// only forgets clean copies of the file, which a later read (there is none) would fetch
// again. Nothing is released unless the table is wholly inside such a segment.

/// Whether [start, start + size) lies inside a loaded segment that is not writable.
static int inside_read_only_segment(const struct dl_phdr_info *info, uintptr_t start, size_t size) {
    for (int index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_LOAD || (header->p_flags & PF_W)) continue;
        uintptr_t segment = info->dlpi_addr + header->p_vaddr;
        if (start >= segment && start + size <= segment + header->p_filesz) return 1;
    }
    return 0;
}

/// dl_iterate_phdr's callback for the first object, the executable: releases its table's
/// whole pages and stores how many bytes in `*(size_t *)released`.
static int release_for_executable(struct dl_phdr_info *info, size_t info_size, void *released) {
    (void)info_size;
    const ElfW(Phdr) *dynamic = NULL;
    for (int index = 0; index < info->dlpi_phnum; index++) {
        if (info->dlpi_phdr[index].p_type == PT_DYNAMIC) dynamic = &info->dlpi_phdr[index];
    }
    if (dynamic == NULL) return 1;  // the first object is the executable: stop either way
    uintptr_t address = 0;
    size_t size = 0;
    for (const ElfW(Dyn) *entry = (const ElfW(Dyn) *)(info->dlpi_addr + dynamic->p_vaddr); entry->d_tag != DT_NULL;
         entry++) {
        if (entry->d_tag == DT_RELA) address = entry->d_un.d_ptr;
        if (entry->d_tag == DT_RELASZ) size = entry->d_un.d_val;
    }
    if (address == 0 || size == 0) return 1;
    // glibc adjusts these entries in place by the load address; an older loader may not.
    if (address < info->dlpi_addr) address += info->dlpi_addr;
    if (!inside_read_only_segment(info, address, size)) return 1;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t first = (address + page - 1) & ~(page - 1);
    uintptr_t last = (address + size) & ~(page - 1);
    if (last > first && madvise((void *)first, last - first, MADV_DONTNEED) == 0) {
        *(size_t *)released = last - first;
    }
    return 1;
}

size_t guest_agent_release_relocation_table(void) {
    size_t released = 0;
    dl_iterate_phdr(release_for_executable, &released);
    return released;
}
