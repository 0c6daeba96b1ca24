/** `text` with LIKE's wildcards (and the escape character) escaped, for Prisma's contains/startsWith/endsWith too. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** An ILIKE pattern matching `text` anywhere, its wildcards escaped: a search for "100%" means the text "100%". */
export const likeContaining = (text: string) => `%${escapeLike(text)}%`;
