ALTER TABLE `swarms` ADD `agent_count` integer;--> statement-breakpoint
UPDATE `swarms` SET `agent_count` = json_array_length(`config`, '$.agents') WHERE json_valid(`config`) AND json_type(`config`, '$.agents') = 'array';
