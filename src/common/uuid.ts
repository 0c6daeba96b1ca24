/** A UUID in its canonical text form, any version (ids arriving in paths and provider metadata are checked against it). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
