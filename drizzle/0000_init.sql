CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`timestamp` text NOT NULL,
	`level` text NOT NULL,
	`category` text NOT NULL,
	`swarm` text,
	`agent` text,
	`event_type` text NOT NULL,
	`message` text NOT NULL,
	`metadata` text
);
--> statement-breakpoint
CREATE INDEX `events_swarm_idx` ON `events` (`swarm`);--> statement-breakpoint
CREATE INDEX `events_timestamp_idx` ON `events` (`timestamp`);--> statement-breakpoint
CREATE TABLE `swarm_commands` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`swarm` text NOT NULL,
	`op` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`result` text,
	`created_at` text NOT NULL,
	`processed_at` text
);
--> statement-breakpoint
CREATE INDEX `swarm_commands_pending_idx` ON `swarm_commands` (`swarm`,`id`) WHERE status = 'pending';--> statement-breakpoint
CREATE TABLE `swarm_overlays` (
	`swarm` text NOT NULL,
	`seq` integer NOT NULL,
	`op` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`swarm`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `swarms` (
	`name` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`pid` integer,
	`config_path` text,
	`config` text,
	`log_path` text,
	`started_at` text,
	`stopped_at` text
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`swarm` text NOT NULL,
	`agent` text NOT NULL,
	`task` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`error` text,
	`created_at` text NOT NULL,
	`processed_at` text
);
--> statement-breakpoint
CREATE INDEX `tasks_pending_idx` ON `tasks` (`swarm`,`id`) WHERE status = 'pending';