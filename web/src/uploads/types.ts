/** The uploads API's answers, as the routes declare them (generated: ../api/openapi.ts). */
import type { Answer } from '../api/openapi';

export type Upload = Answer<'/api/v1/uploads/{id}', 'get'>;

export type UploadStatus = Upload['status'];

/** Where each row of the file ended; created + updated + unchanged + rejected = rows. */
export type UploadCounts = Upload['counts'];

/** Column header → field key, or null for a skipped column. */
export type UploadMapping = Upload['mapping'];

/** What the server read from the start of a file, before anything is stored. */
export type UploadPreview = Answer<'/api/v1/uploads/preview', 'post'>;

export type PreviewColumn = UploadPreview['columns'][number];
