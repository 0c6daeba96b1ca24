/** An ILIKE pattern matching `text` anywhere, its wildcards escaped: a search for "100%" means the text "100%". */
export const likeContaining = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;
