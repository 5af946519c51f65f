/* Build tool: prints a C array named argv[1] holding the files argv[2..]
 * (by base name, in the order given), so the SQL the module prepares, the
 * migrations portalctl applies and the data files (the common-password
 * list) are compiled in and cannot drift from the binary. */
#include <stdio.h>
#include <string.h>

static int emit(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    printf("    { \"%s\", \"", base);
    long len = 0;
    int c, col = 0;
    while ((c = fgetc(f)) != EOF) {
        if (c == '\n') {
            printf("\\n\"\n      \"");
            col = 0;
        } else if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 32 || c > 126) {
            printf("\\%03o", c);
        } else {
            putchar(c);
        }
        len++;
        if (++col > 100) {
            printf("\"\n      \"");
            col = 0;
        }
    }
    printf("\", %ld },\n", len);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: embed ARRAY_NAME FILE...\n");
        return 2;
    }
    printf("const portal_embedded_file %s[] = {\n", argv[1]);
    for (int i = 2; i < argc; i++)
        if (emit(argv[i]))
            return 1;
    printf("    { 0, 0, 0 }\n};\n");
    return 0;
}
