/* Reading whole files from the partition tandem was loaded from. */
#ifndef BOOT_EFI_FILE_H
#define BOOT_EFI_FILE_H

#include <efi.h>
#include <stddef.h>
#include <stdint.h>

/* Read 'path' (ASCII; slash or backslash separators; relative to the
 * partition root) into pool memory. Returns EFI_SUCCESS with the data and
 * its size, or an error with a one-line reason in err. */
EFI_STATUS efi_read_file(EFI_HANDLE image, const char *path, uint8_t **data,
			 size_t *size, char *err, size_t errlen);

#endif
