/* Marks one version requirement of an ELF64 shared object as weak (VER_FLG_WEAK, 0x2), so the
 * dynamic linker no longer refuses to load it when the named version is missing from its library.
 * Usage: elf_weaken_verneed FILE VERSION   e.g.  libLibTorchSharp.so GLIBCXX_3.4.32
 * Exit: 0 patched or already weak, 1 version not required by FILE, 2 not a usable ELF64 file.
 * Reference: System V gABI, "Symbol Versioning" (.gnu.version_r / Elf64_Verneed, Elf64_Vernaux). */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, long *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)*size);
    if (buf && fread(buf, 1, (size_t)*size, f) != (size_t)*size) { free(buf); buf = NULL; }
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s FILE VERSION\n", argv[0]); return 2; }
    long size = 0;
    unsigned char *buf = slurp(argv[1], &size);
    if (!buf || size < (long)sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG) != 0 || buf[EI_CLASS] != ELFCLASS64) {
        fprintf(stderr, "%s: not an ELF64 file\n", argv[1]);
        return 2;
    }
    Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
    if (eh->e_shoff + (Elf64_Off)eh->e_shnum * sizeof(Elf64_Shdr) > (Elf64_Off)size) { fprintf(stderr, "%s: truncated\n", argv[1]); return 2; }
    Elf64_Shdr *sh = (Elf64_Shdr *)(buf + eh->e_shoff);
    int found = 0;
    long patch_at = -1;
    for (int i = 0; i < eh->e_shnum && !found; i++) {
        if (sh[i].sh_type != SHT_GNU_verneed) continue;
        const char *strtab = (const char *)(buf + sh[sh[i].sh_link].sh_offset);
        Elf64_Off off = sh[i].sh_offset;
        for (;;) {
            Elf64_Verneed *vn = (Elf64_Verneed *)(buf + off);
            Elf64_Off aoff = off + vn->vn_aux;
            for (int a = 0; a < vn->vn_cnt; a++) {
                Elf64_Vernaux *vna = (Elf64_Vernaux *)(buf + aoff);
                if (strcmp(strtab + vna->vna_name, argv[2]) == 0) {
                    found = 1;
                    if (vna->vna_flags & VER_FLG_WEAK) { printf("already weak\n"); return 0; }
                    vna->vna_flags |= VER_FLG_WEAK;
                    patch_at = (long)((unsigned char *)&vna->vna_flags - buf);
                    break;
                }
                if (!vna->vna_next) break;
                aoff += vna->vna_next;
            }
            if (found || !vn->vn_next) break;
            off += vn->vn_next;
        }
    }
    if (!found) { fprintf(stderr, "%s: no requirement on %s\n", argv[1], argv[2]); return 1; }
    FILE *f = fopen(argv[1], "r+b");
    if (!f || fseek(f, patch_at, SEEK_SET) != 0 || fwrite(buf + patch_at, 2, 1, f) != 1) { fprintf(stderr, "%s: cannot write\n", argv[1]); return 2; }
    fclose(f);
    printf("weakened %s\n", argv[2]);
    return 0;
}
