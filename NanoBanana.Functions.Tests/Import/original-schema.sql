-- The original system's schema (Express + Supabase, database/add-generations-table.sql), as the
-- import meets it: users with their plain-text Gemini keys, and generations with base64 results.
-- Supabase's auth.uid() is stubbed so the original's row-level security policy can exist here too.
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$;

CREATE TABLE users (
    id             uuid PRIMARY KEY,
    email          text,
    gemini_api_key text
);

CREATE TABLE generations (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    prompt                  text NOT NULL,
    resolution              text DEFAULT '2K',
    aspect_ratio            text DEFAULT '9:16',
    main_face_image_url     text,
    additional_images       jsonb DEFAULT '[]'::jsonb,
    status                  text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'completed', 'failed')),
    result_image_url        text,
    result_base64           text,
    error_message           text,
    gemini_metadata         jsonb,
    generation_time_seconds integer,
    retry_count             integer DEFAULT 0,
    created_at              timestamptz DEFAULT now(),
    started_at              timestamptz,
    completed_at            timestamptz
);

CREATE INDEX idx_generations_user_id ON generations(user_id);
CREATE INDEX idx_generations_status ON generations(status);

ALTER TABLE generations ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own generations" ON generations FOR SELECT USING (auth.uid() = user_id);
