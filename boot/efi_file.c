#include <efi.h>
#include <efilib.h>
#include "boot/efi_file.h"
#include "lib/print.h"
#include "lib/string.h"

#define PATH_MAX_CHARS 256

static EFI_STATUS open_root(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image,
			       &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return st;
	st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle,
			       &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return st;
	return uefi_call_wrapper(fs->OpenVolume, 2, fs, root);
}

/* "tests/a.elf" -> L"\\tests\\a.elf" */
static int to_efi_path(const char *path, CHAR16 *out, size_t max)
{
	size_t n = 0;

	if (path[0] != '/' && path[0] != '\\')
		out[n++] = L'\\';
	for (; *path; path++) {
		if (n + 1 >= max)
			return -1;
		out[n++] = (*path == '/') ? L'\\' : (CHAR16)*path;
	}
	out[n] = 0;
	return 0;
}

static EFI_STATUS file_size(EFI_FILE_HANDLE f, UINT64 *size)
{
	EFI_FILE_INFO *info = LibFileInfo(f);

	if (!info)
		return EFI_DEVICE_ERROR;
	*size = info->FileSize;
	FreePool(info);
	return EFI_SUCCESS;
}

EFI_STATUS efi_read_file(EFI_HANDLE image, const char *path, uint8_t **data,
			 size_t *size, char *err, size_t errlen)
{
	CHAR16 wpath[PATH_MAX_CHARS];
	EFI_FILE_HANDLE root, f;
	UINT64 fsize = 0;
	UINTN got;
	EFI_STATUS st;

	if (to_efi_path(path, wpath, PATH_MAX_CHARS)) {
		tsnprintf(err, errlen, "%s: path too long", path);
		return EFI_INVALID_PARAMETER;
	}
	st = open_root(image, &root);
	if (EFI_ERROR(st)) {
		tsnprintf(err, errlen, "%s: cannot open the boot partition "
			  "(EFI status 0x%lx)", path, (unsigned long)st);
		return st;
	}
	st = uefi_call_wrapper(root->Open, 5, root, &f, wpath,
			       EFI_FILE_MODE_READ, 0ull);
	uefi_call_wrapper(root->Close, 1, root);
	if (EFI_ERROR(st)) {
		tsnprintf(err, errlen, "%s: cannot open (EFI status 0x%lx%s)",
			  path, (unsigned long)st,
			  st == EFI_NOT_FOUND ? ": not found" : "");
		return st;
	}
	st = file_size(f, &fsize);
	if (!EFI_ERROR(st)) {
		*data = AllocatePool(fsize ? fsize : 1);
		st = *data ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
	}
	got = fsize;
	if (!EFI_ERROR(st))
		st = uefi_call_wrapper(f->Read, 3, f, &got, *data);
	uefi_call_wrapper(f->Close, 1, f);
	if (EFI_ERROR(st) || got != fsize) {
		tsnprintf(err, errlen, "%s: cannot read (EFI status 0x%lx, "
			  "%lu of %lu bytes)", path, (unsigned long)st,
			  (unsigned long)got, (unsigned long)fsize);
		return EFI_ERROR(st) ? st : EFI_END_OF_FILE;
	}
	*size = fsize;
	return EFI_SUCCESS;
}
