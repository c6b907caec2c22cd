/* Day counts by Howard Hinnant's civil-from-days algorithm: exact for every
 * date after 1970, with no tables. */
#include "lib/time.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

uint64_t unix_from_date(const struct date_time *d)
{
	int64_t days = days_from_civil(d->year, d->month, d->day);

	if (days < 0)
		return 0;
	return (uint64_t)days * 86400 + d->hour * 3600u + d->min * 60u +
	       d->sec;
}

void date_from_unix(uint64_t t, struct date_time *d)
{
	int64_t z = (int64_t)(t / 86400) + 719468;
	int64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	d->year = (uint16_t)(yoe + era * 400 + (m <= 2));
	d->month = (uint8_t)m;
	d->day = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
	d->hour = (uint8_t)(t % 86400 / 3600);
	d->min = (uint8_t)(t % 3600 / 60);
	d->sec = (uint8_t)(t % 60);
	d->wday = (uint8_t)((t / 86400 + 4) % 7);	/* 1970-01-01: Thu */
}
